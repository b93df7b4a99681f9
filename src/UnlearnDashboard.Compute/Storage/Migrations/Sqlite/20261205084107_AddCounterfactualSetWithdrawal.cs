using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UnlearnDashboard.Compute.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddCounterfactualSetWithdrawal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DatasetVersion",
                table: "counterfactual_sets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WithdrawnAt",
                table: "counterfactual_sets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WithdrawnByErasureId",
                table: "counterfactual_sets",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DatasetVersion",
                table: "counterfactual_sets");

            migrationBuilder.DropColumn(
                name: "WithdrawnAt",
                table: "counterfactual_sets");

            migrationBuilder.DropColumn(
                name: "WithdrawnByErasureId",
                table: "counterfactual_sets");
        }
    }
}
